import Testing

@testable import Server

@Suite("The pause between the projection service's rounds")
struct FoldPauseTests {
    @Test("a small day is folded every interval, as before")
    func smallDaysKeepTheInterval() {
        #expect(ProjectionService.pause(after: .milliseconds(10), interval: .seconds(2)) == .seconds(2))
        #expect(ProjectionService.pause(after: .milliseconds(40), interval: .seconds(2)) == .seconds(2))
    }

    @Test("a costly catch-up is followed by fifty times its cost, up to 15 s: 2 % of a core")
    func costlyCatchUpsWaitLonger() {
        #expect(ProjectionService.pause(after: .milliseconds(100), interval: .seconds(2)) == .seconds(5))
        #expect(ProjectionService.pause(after: .milliseconds(300), interval: .seconds(2)) == .seconds(15))
        #expect(ProjectionService.pause(after: .seconds(2), interval: .seconds(2)) == .seconds(15))
    }

    @Test("a catch-up longer than 3.75 s is followed by four times its cost: at most a fifth of a core")
    func veryCostlyCatchUpsStayUnderAFifth() {
        #expect(ProjectionService.pause(after: .seconds(5), interval: .seconds(2)) == .seconds(20))
    }

    @Test("a longer interval set by the operator always holds")
    func theIntervalIsAFloor() {
        #expect(ProjectionService.pause(after: .milliseconds(300), interval: .seconds(60)) == .seconds(60))
    }
}
