/**
 * Switchyard configuration: wg-quick style files with a {@code [Switchyard]} section.
 *
 * <ul>
 *   <li>{@link io.switchyard.config.ConfigParser} reads a file into an immutable
 *       {@link io.switchyard.config.Config} (interface, {@link io.switchyard.config.RouterSettings},
 *       peers) or throws one {@link io.switchyard.config.ConfigException} listing every
 *       {@link io.switchyard.config.Problem} with file, line and column.
 *   <li>{@link io.switchyard.config.ConfigWriter} prints the canonical form; parse then write then
 *       parse is the identity.
 *   <li>{@link io.switchyard.config.ConfigDiff} is the reload plan between two configs, keyed by
 *       peer public key; {@link io.switchyard.config.ConfigWatcher} delivers each new version of a
 *       file (or its errors) to a listener.
 * </ul>
 *
 * <p>Nothing here knows the WireGuard cryptography: keys are 32-byte values checked for encoding
 * and length only. docs/config.md is the reference for every key and setting.
 */
package io.switchyard.config;
