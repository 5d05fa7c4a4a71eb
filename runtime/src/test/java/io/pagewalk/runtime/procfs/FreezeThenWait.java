package io.pagewalk.runtime.procfs;

/**
 * Test helper run in a separate JVM: freezes the pid given as argument, prints "frozen", and
 * waits to be interrupted (SIGINT), so a test can check that the shutdown hook resumes the
 * target.
 */
public final class FreezeThenWait {
    private FreezeThenWait() {
    }

    public static void main(String[] args) throws Exception {
        ProcessControl.Frozen frozen = ProcessControl.freeze(Integer.parseInt(args[0]));
        System.out.println("frozen " + frozen.pid());
        System.out.flush();
        Thread.sleep(60_000);
        frozen.close();
    }
}
