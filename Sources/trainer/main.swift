import TrainerKit
Trainer.main()
