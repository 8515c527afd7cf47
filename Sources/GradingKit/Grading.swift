/// Grading and instructor tools (issue 5). Placeholder until they land.
public enum GradingCommand {}
