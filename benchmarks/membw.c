// Memory bandwidth on this machine, STREAM-style, for benchmarks/trust.sh:
//   gcc -O3 -march=native -fopenmp membw.c -o membw && ./membw NODES EDGES
// read (sum of an array), copy (c = a) and triad (a = b + s*c) over arrays far larger than the caches,
// with 1 and 2 threads, best of REPS; bytes counted as STREAM does (no write-allocate traffic).
// Then a synthetic pull step of PageRank on a CSR matrix of NODES rows and EDGES entries with
// uniform random columns (4-byte index + 4-byte weight per entry): the time one iteration takes.
// Prints one line of key=value pairs (GB/s are 1e9 bytes per second).
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define REPS 5

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static volatile double sink;

int main(int argc, char **argv) {
    long nodes = argc > 1 ? atol(argv[1]) : 1000000;
    long edges = argc > 2 ? atol(argv[2]) : 10000000;
    long n = argc > 3 ? atol(argv[3]) : (1L << 25);  // 32M doubles = 256 MiB per array
    double *a = malloc(n * sizeof(double)), *b = malloc(n * sizeof(double)), *c = malloc(n * sizeof(double));
    if (!a || !b || !c) { fprintf(stderr, "membw: out of memory\n"); return 1; }
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; i++) { a[i] = 1.0; b[i] = 2.0; c[i] = 0.5; }
    printf("reps=%d array_mib=%ld", REPS, (long)(n * sizeof(double) >> 20));
    for (int threads = 1; threads <= 2; threads++) {
        omp_set_num_threads(threads);
        double best_read = 1e30, best_copy = 1e30, best_triad = 1e30;
        for (int r = 0; r < REPS; r++) {
            double t = now(), s = 0;
#pragma omp parallel for simd schedule(static) reduction(+ : s)
            for (long i = 0; i < n; i++) s += a[i];
            t = now() - t; sink = s; if (t < best_read) best_read = t;
            t = now();
#pragma omp parallel for schedule(static)
            for (long i = 0; i < n; i++) c[i] = a[i];
            t = now() - t; if (t < best_copy) best_copy = t;
            t = now();
#pragma omp parallel for schedule(static)
            for (long i = 0; i < n; i++) a[i] = b[i] + 3.0 * c[i];
            t = now() - t; if (t < best_triad) best_triad = t;
        }
        printf(" read_%dt=%.2f copy_%dt=%.2f triad_%dt=%.2f", threads, 8.0 * n / best_read / 1e9, threads,
               16.0 * n / best_copy / 1e9, threads, 24.0 * n / best_triad / 1e9);
    }
    free(a); free(b); free(c);

    // Synthetic CSR pull step: y[i] = sum_j w[j] * x[col[j]] over rows of edges/nodes entries each.
    uint32_t *col = malloc(edges * sizeof(uint32_t)), *rowptr = malloc((nodes + 1) * sizeof(uint32_t));
    float *w = malloc(edges * sizeof(float));
    double *x = malloc(nodes * sizeof(double)), *y = malloc(nodes * sizeof(double));
    if (!col || !rowptr || !w || !x || !y) { fprintf(stderr, "membw: out of memory\n"); return 1; }
    uint64_t state = 88172645463325252ULL;
    for (long j = 0; j < edges; j++) {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17;
        col[j] = (uint32_t)(state % (uint64_t)nodes);
        w[j] = 1.0f / (1 + (state >> 40) % 10);
    }
    for (long i = 0; i <= nodes; i++) rowptr[i] = (uint32_t)(edges * i / nodes);
    for (long i = 0; i < nodes; i++) x[i] = 1.0 / nodes;
    for (int threads = 1; threads <= 2; threads++) {
        omp_set_num_threads(threads);
        double best = 1e30;
        for (int r = 0; r < REPS; r++) {
            double t = now();
#pragma omp parallel for schedule(static)
            for (long i = 0; i < nodes; i++) {
                double s = 0;
                for (uint32_t j = rowptr[i]; j < rowptr[i + 1]; j++) s += w[j] * x[col[j]];
                y[i] = 0.85 * s + 0.15 / nodes;
            }
            t = now() - t;
            if (t < best) best = t;
            double *tmp = x; x = y; y = tmp;
        }
        printf(" spmv_%dt_ms=%.2f", threads, best * 1e3);
    }
    printf("\n");
    return 0;
}
