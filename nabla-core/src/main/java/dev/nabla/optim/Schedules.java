package dev.nabla.optim;

/** Argument checks shared by the schedules, naming the schedule, the argument and the value. */
final class Schedules {
    private Schedules() {}

    static void requireRate(String schedule, String name, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(schedule + ": " + name + " must be a finite number >= 0, got " + value);
        }
    }

    static void requirePositive(String schedule, String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(schedule + ": " + name + " must be > 0, got " + value);
        }
    }

    static void requireEpoch(String schedule, int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException(schedule + ": epoch must be >= 0, got " + epoch);
        }
    }
}
