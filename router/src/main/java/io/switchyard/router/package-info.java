/** The Switchyard router's public API. */
package io.switchyard.router;
