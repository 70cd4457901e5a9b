/**
 * The Switchyard actor runtime. Start with {@link io.switchyard.actors.ActorSystem}: spawn actors
 * from {@link io.switchyard.actors.Props}, talk to them through typed
 * {@link io.switchyard.actors.ActorRef}s, schedule messages with
 * {@link io.switchyard.actors.Timers}, and read {@link io.switchyard.actors.ActorCounter}s. The
 * contracts that other modules rely on (activation, drain hook, overflow, supervision) are in
 * the class docs of {@link io.switchyard.actors.Actor} and {@link io.switchyard.actors.ActorSystem};
 * {@code docs/actors.md} has the overview.
 */
package io.switchyard.actors;
