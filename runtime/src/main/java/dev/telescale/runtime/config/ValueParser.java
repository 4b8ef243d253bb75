package dev.telescale.runtime.config;

/** Turns a setting's raw text (trimmed, never empty) into its value. */
@FunctionalInterface
interface ValueParser<T> {
    T parse(String raw) throws InvalidValue;
}
