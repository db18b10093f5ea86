import Dispatch
import NIOCore
import NIOPosix

/// The loop of the futures the SQLite layer hands to Fluent's future-based API. Those futures are already complete
/// (the statement ran on the caller's thread), yet awaiting one that belongs to a real event loop still hops to that
/// loop and back: two thread switches for every Fluent query. On this loop a callback runs at once on the thread that
/// adds it, so awaiting costs nothing. Only complete futures and what is chained on them live here; anything to run
/// later goes to a real loop.
final class InlineEventLoop: EventLoop {
    static let shared = InlineEventLoop()
    private let timers: any EventLoop = MultiThreadedEventLoopGroup.singleton.next()

    private init() {}

    var inEventLoop: Bool { true }

    func execute(_ task: @escaping @Sendable () -> Void) { task() }

    @discardableResult
    func scheduleTask<T>(deadline: NIODeadline, _ task: @escaping @Sendable () throws -> T) -> Scheduled<T> {
        timers.scheduleTask(deadline: deadline, task)
    }

    @discardableResult
    func scheduleTask<T>(in amount: TimeAmount, _ task: @escaping @Sendable () throws -> T) -> Scheduled<T> {
        timers.scheduleTask(in: amount, task)
    }

    /// Waiting on a future of this loop never blocks: it is complete.
    func _preconditionSafeToWait(file: StaticString, line: UInt) {}

    func preconditionInEventLoop(file: StaticString, line: UInt) {}

    func preconditionNotInEventLoop(file: StaticString, line: UInt) {}

    func next() -> any EventLoop { self }

    func any() -> any EventLoop { self }

    func makeIterator() -> EventLoopIterator { EventLoopIterator([self]) }

    func shutdownGracefully(queue: DispatchQueue, _ callback: @escaping @Sendable ((any Error)?) -> Void) {
        queue.async { callback(nil) }
    }
}
