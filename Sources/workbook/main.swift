import GradingKit
WorkbookTool.main()
