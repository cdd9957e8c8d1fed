package io.wirelink.lab;

/**
 * Run by {@link LabCleanupIT} in a child JVM: builds a lab, says so on stdout, and waits to be killed without ever
 * closing it, so that only the shutdown hook can clean up.
 */
public final class LabShutdownHookChild {
    static final String READY = "LAB-READY ";

    private LabShutdownHookChild() {}

    @SuppressWarnings("resource") // never closed on purpose: the shutdown hook must do it
    public static void main(String[] args) throws InterruptedException {
        Lab lab = Lab.create();
        Nat nat = lab.nat("nat", NatType.CONE);
        lab.hostBehind(nat, "priv");
        lab.startWireGuard(lab.publicHost("pub"));
        System.out.println(READY + lab.token());
        System.out.flush();
        Thread.sleep(120_000); // the test kills us long before; if not, exiting runs the hook all the same
    }
}
