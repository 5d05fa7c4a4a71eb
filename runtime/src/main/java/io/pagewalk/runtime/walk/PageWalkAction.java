package io.pagewalk.runtime.walk;

/** {@code enum page_walk_action}: what {@code pud_entry}/{@code pmd_entry} ask the walker to do next. */
public enum PageWalkAction {
    /** Descend to the next level, splitting huge entries if needed (the default). */
    ACTION_SUBTREE,
    /** Go on with the next entry at this level, ignoring this entry's subtree. */
    ACTION_CONTINUE,
    /** Call the callback again for this entry. */
    ACTION_AGAIN;

    /** The kernel's integer value (0, 1, 2). */
    public int value() {
        return ordinal();
    }

    public static PageWalkAction of(int value) {
        return switch (value) {
            case 0 -> ACTION_SUBTREE;
            case 1 -> ACTION_CONTINUE;
            case 2 -> ACTION_AGAIN;
            default -> throw new IllegalArgumentException("no page_walk_action " + value);
        };
    }
}
