/** Switchyard zerocopy module (under construction). */
package io.switchyard.zerocopy;
