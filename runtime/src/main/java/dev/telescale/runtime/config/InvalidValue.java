package dev.telescale.runtime.config;

import java.util.List;

/**
 * A value a {@link Setting} cannot take, as one or more problem texts without the variable's name.
 * For a non-secret setting the loader puts the quoted value in front of each text, unless the
 * texts quote the faulty part themselves; a secret setting's parser writes texts that show only
 * what may be shown.
 */
final class InvalidValue extends Exception {
    private static final long serialVersionUID = 1L;
    private final List<String> problems;
    private final boolean quotesItself;

    InvalidValue(String problem) {
        this(List.of(problem), false);
    }

    /** @param quotesItself the texts quote the faulty part of the value themselves (lists) */
    InvalidValue(List<String> problems, boolean quotesItself) {
        super(String.join("; ", problems), null, false, false);
        this.problems = List.copyOf(problems);
        this.quotesItself = quotesItself;
    }

    boolean quotesItself() {
        return quotesItself;
    }

    List<String> problems() {
        return problems;
    }
}
