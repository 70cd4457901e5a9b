/** Switchyard io-native module (under construction). */
package io.switchyard.io;
