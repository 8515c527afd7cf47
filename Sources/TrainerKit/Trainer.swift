/// The reference trainer (issue 4). Placeholder until the trainer lands.
public enum TrainerCommand {}
