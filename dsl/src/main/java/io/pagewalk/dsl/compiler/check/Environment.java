package io.pagewalk.dsl.compiler.check;

/**
 * What the checker asks of the running script: what its free names are, and the types of the
 * values they hold now. The binder answers from the script's context; tests answer from tables.
 */
public interface Environment {
    /**
     * A name that is neither local nor a pagewalk API name: a script function (a FunctionUnit,
     * parsed), a script global (a GlobalVar typed by its current value), or null if undefined.
     *
     * @throws io.pagewalk.dsl.compiler.NotInSubset when it is a function or value outside the subset
     */
    Object resolve(String name, String source, int line) throws io.pagewalk.dsl.compiler.NotInSubset;

    /** The type of field {@code name} of the walk's state objects (numbers, BigInts, booleans), or a reason. */
    Type fieldType(String name, String source, int line) throws io.pagewalk.dsl.compiler.NotInSubset;

    /** The type of {@code walk.private} for this walk. */
    Type privateType(String source, int line) throws io.pagewalk.dsl.compiler.NotInSubset;
}
