/** The Switchyard actor runtime: actor system, typed refs, mailboxes, timers, supervision. */
module io.switchyard.actors {
    requires transitive io.switchyard.counters;
    requires org.jctools.core;
    exports io.switchyard.actors;
}
