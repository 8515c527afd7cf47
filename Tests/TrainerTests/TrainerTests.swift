import Testing
@testable import TrainerKit
