
@Suite("A not-started exercise reports once in a student's run")
struct NotStartedOnceTests {
    @Test("the first test that stops at a stub reports it; later ones at the same stub do not, another stub is its own message")
    func once() throws {
        let test = try #require(Test.current)
        let probe = "Probe\(UUID().uuidString.prefix(8))"
        #expect(NotStartedOnce.shouldReport(exercise: probe, stub: probe, test: test))
        // Under an event stream, the stub check or WORKBOOK_REPEAT_NOT_STARTED=1, every test reports.
        #expect(NotStartedOnce.shouldReport(exercise: probe, stub: probe, test: test) == !NotStartedOnce.applies)
        #expect(NotStartedOnce.shouldReport(exercise: probe, stub: "Other1", test: test))
    }
}
