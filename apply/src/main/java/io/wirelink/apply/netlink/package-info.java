/**
 * Linux netlink: rtnetlink links and addresses ({@link io.wirelink.apply.netlink.RtNetlink}) and the kernel WireGuard
 * generic netlink family ({@link io.wirelink.apply.netlink.NetlinkWireGuardDevice}).
 *
 * <p>Layers, bottom up:
 *
 * <ul>
 *   <li>Pure codecs with no native code, tested byte for byte: {@code NlMessageBuilder} (nlmsghdr, genlmsghdr,
 *       nlattr with {@code NLA_F_NESTED}, 4-byte alignment, host byte order), {@code NlMessage} and {@code NlAttr}
 *       (bounds-checked decoders that throw only {@link io.wirelink.facts.MalformedInputException}),
 *       {@code RtCodec}, {@code GenlCodec}, {@code WgCodec}.
 *   <li>{@code NetlinkClient}: sequence numbers, ACKs, {@code NLMSG_ERROR} with extended ACK text,
 *       multi-part dumps up to {@code NLMSG_DONE}; over a {@code NetlinkChannel}, so it runs against fakes.
 *   <li>{@code NetlinkSocket}: the JNA binding ({@code socket/bind/sendto/recvfrom/setsockopt/close}).
 * </ul>
 *
 * <p>Threads: every call blocks on a syscall. Callers run them on one worker thread, never on an event loop (G5). The
 * public classes are safe to call from several threads (their methods are synchronized) but gain nothing from it.
 * A netlink socket belongs to the network namespace of the thread that opened it, for its whole life.
 */
package io.wirelink.apply.netlink;
