/** Switchyard actors module (under construction). */
package io.switchyard.actors;
