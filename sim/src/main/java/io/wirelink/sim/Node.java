package io.wirelink.sim;

/** Something with interfaces on networks that packets arrive at: a {@link Host} or a {@link Nat}. */
abstract class Node {
    final World world;
    final String name;

    Node(World world, String name) {
        this.world = world;
        this.name = name;
    }

    /** {@code p} arrived on {@code in}. */
    abstract void arrive(Packet p, Iface in);

    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return name;
    }
}
