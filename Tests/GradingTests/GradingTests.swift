import Testing
@testable import GradingKit
