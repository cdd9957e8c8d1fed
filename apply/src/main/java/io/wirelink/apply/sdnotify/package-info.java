/**
 * sd_notify(3) for systemd services: {@link io.wirelink.apply.sdnotify.SdNotify} tells the service manager that the
 * agent is ready, reloading or stopping, reports a status line and pets the watchdog. Calls are cheap and
 * non-blocking (one datagram) but native: make them from a worker thread or at startup.
 */
package io.wirelink.apply.sdnotify;
