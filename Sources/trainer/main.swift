import TrainerKit
print("trainer: not built yet")
