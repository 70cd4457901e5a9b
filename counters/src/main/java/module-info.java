/** Counters described by enums and stored in sets: the one way every Switchyard module counts. */
module io.switchyard.counters {
    exports io.switchyard.counters;
}
