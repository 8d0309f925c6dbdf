#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A mutex with a few condition variables, guarding a value of type `State`.
///
/// Separate conditions let each kind of waiter be woken alone (the journal writer's thread when
/// there is work, appenders when records became durable), instead of every waiter on every event.
///
/// `@unchecked Sendable` because `state` is only ever read or written between `pthread_mutex_lock`
/// and `pthread_mutex_unlock` (inside ``withLock(_:)``), which makes every access exclusive.
final class ConditionLock<State>: @unchecked Sendable {
    private var state: State
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let conditions: UnsafeMutablePointer<pthread_cond_t>
    private let conditionCount: Int

    /// A lock guarding `state`, with `conditions` condition variables numbered from 0.
    init(_ state: State, conditions: Int = 1) {
        self.state = state
        conditionCount = conditions
        self.conditions = .allocate(capacity: conditions)
        pthread_mutex_init(mutex, nil)
        // Deadlines are on the monotonic clock, so a step of the wall clock (NTP, an operator)
        // never stalls or hurries a waiter.
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        #if !canImport(Darwin)
            pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        #endif
        for i in 0..<conditions { pthread_cond_init(self.conditions + i, &attributes) }
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        for i in 0..<conditionCount { pthread_cond_destroy(conditions + i) }
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        conditions.deallocate()
    }

    /// Runs `body` with exclusive access to the state.
    func withLock<R>(_ body: (inout State) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&state)
    }

    /// What a ``wait(on:_:)`` body decided.
    enum Step<Result> {
        /// Stop waiting and return this.
        case done(Result)
        /// Sleep until the condition is signalled, then run the body again.
        case wait
        /// Sleep until signalled or until this ``now()`` time (ns), then run the body again.
        case waitUntil(Int64)
    }

    /// Runs `body` under the lock again and again, sleeping on condition `index` between runs,
    /// until it returns `.done`.
    ///
    /// Each run of `body` is its own exclusive access to the state, ended before sleeping. Sleeping
    /// *inside* one access (a `wait` within ``withLock(_:)``) would let the optimizer assume no one
    /// else changed the state meanwhile, and keep reading a stale copy.
    func wait<R>(on index: Int, _ body: (inout State) throws -> Step<R>) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while true {
            switch try body(&state) {
            case .done(let result):
                return result
            case .wait:
                pthread_cond_wait(conditions + index, mutex)
            case .waitUntil(let deadline):
                var spec = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
                pthread_cond_timedwait(conditions + index, mutex, &spec)
            }
        }
    }

    /// Wakes one waiter of condition `index`.
    func signal(_ index: Int = 0) { pthread_cond_signal(conditions + index) }

    /// Wakes every waiter of condition `index`.
    func broadcast(_ index: Int = 0) { pthread_cond_broadcast(conditions + index) }

    /// The monotonic clock in nanoseconds (the clock the conditions wait on), for deadlines.
    /// (Darwin's condition variables only wait on the wall clock; there it is the wall clock.)
    static func now() -> Int64 {
        var spec = timespec()
        #if canImport(Darwin)
            clock_gettime(CLOCK_REALTIME, &spec)
        #else
            clock_gettime(CLOCK_MONOTONIC, &spec)
        #endif
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }
}
