package io.github.otelkernel.receiver.export;

import static io.opentelemetry.api.common.AttributeKey.booleanKey;
import static io.opentelemetry.api.common.AttributeKey.longKey;
import static io.opentelemetry.api.common.AttributeKey.stringKey;

import io.opentelemetry.api.common.AttributeKey;

/**
 * Attributes in the project's own {@code ksec.*} namespace, for what OpenTelemetry semantic
 * conventions do not define. Each one is described in
 * {@code semantic-conventions/model/ksec/registry.yaml}; a unit test keeps the two in step.
 */
public final class KsecAttributes {
  /** Effective group id (OTel defines only user ids). */
  public static final AttributeKey<Long> PROCESS_GROUP_ID = longKey("ksec.process.group.id");
  /** Real group id. */
  public static final AttributeKey<Long> PROCESS_REAL_GROUP_ID = longKey("ksec.process.real_group.id");
  /** Audit login uid (loginuid): who logged in, kept across su/sudo. Absent when unset. */
  public static final AttributeKey<Long> PROCESS_LOGIN_USER_ID = longKey("ksec.process.login_user.id");
  /** The kernel's task name (comm), at most 15 bytes, chosen by the process. */
  public static final AttributeKey<String> PROCESS_COMM = stringKey("ksec.process.comm");
  /** cgroup v2 id of the process. */
  public static final AttributeKey<Long> PROCESS_CGROUP_ID = longKey("ksec.process.cgroup.id");

  /** argv was longer than the probe's limit and was cut. */
  public static final AttributeKey<Boolean> PROCESS_COMMAND_ARGS_TRUNCATED =
      booleanKey("ksec.process.command_args.truncated");
  /** Size of the full argv in bytes (NUL separators included), also when truncated. */
  public static final AttributeKey<Long> PROCESS_COMMAND_ARGS_BYTES = longKey("ksec.process.command_args.bytes");
  /** argv pages could not be read at exec. */
  public static final AttributeKey<Boolean> PROCESS_COMMAND_ARGS_UNREADABLE =
      booleanKey("ksec.process.command_args.unreadable");
  /** argv bytes were not valid UTF-8; the exact bytes, NUL-separated, base64. */
  public static final AttributeKey<String> PROCESS_COMMAND_ARGS_RAW = stringKey("ksec.process.command_args.raw");
  /** The executable's path was deeper or longer than the probe walks; leading components missing. */
  public static final AttributeKey<Boolean> PROCESS_EXECUTABLE_PATH_TRUNCATED =
      booleanKey("ksec.process.executable.path.truncated");
  /** The executable's path was not valid UTF-8; its exact bytes, base64. */
  public static final AttributeKey<String> PROCESS_EXECUTABLE_PATH_RAW = stringKey("ksec.process.executable.path.raw");
  public static final AttributeKey<Boolean> PROCESS_WORKING_DIRECTORY_TRUNCATED =
      booleanKey("ksec.process.working_directory.truncated");
  public static final AttributeKey<String> PROCESS_WORKING_DIRECTORY_RAW =
      stringKey("ksec.process.working_directory.raw");

  /** Number of the signal that ended the process. */
  public static final AttributeKey<Long> PROCESS_EXIT_SIGNAL = longKey("ksec.process.exit.signal");
  /** Name of that signal, e.g. SIGKILL. */
  public static final AttributeKey<String> PROCESS_EXIT_SIGNAL_NAME = stringKey("ksec.process.exit.signal_name");
  public static final AttributeKey<Boolean> PROCESS_EXIT_CORE_DUMPED = booleanKey("ksec.process.exit.core_dumped");

  /** Thread id of the thread that called fork/clone. */
  public static final AttributeKey<Long> PROCESS_PARENT_THREAD_ID = longKey("ksec.process.parent.thread.id");

  private KsecAttributes() {}
}
