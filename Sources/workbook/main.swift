import GradingKit
print("workbook: not built yet")
