/// Compares secrets (codes, tokens, hashes) without stopping at the first difference, so the time taken does not
/// tell an attacker how much of a guess was right.
public func constantTimeEqual(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for (x, y) in zip(a, b) { difference |= x ^ y }
    return difference == 0
}
