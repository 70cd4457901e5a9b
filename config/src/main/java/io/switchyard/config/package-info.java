/** Switchyard config module (under construction). */
package io.switchyard.config;
