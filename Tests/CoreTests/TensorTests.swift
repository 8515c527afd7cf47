import Testing
@testable import WorkbookCore
