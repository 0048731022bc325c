/**
 * Coded errors: each failure a person can cause or fix has a stable code and a message written for
 * them. Listeners turn these into ephemeral replies; anything else is logged and shown generically.
 */
export class QuellError extends Error {
  constructor(
    readonly code: string,
    readonly userMessage: string,
    options?: { cause?: unknown },
  ) {
    super(userMessage, options);
    this.name = new.target.name;
  }
}

/** Malformed or unknown input: says what is wrong and shows the correct form. */
export class UsageError extends QuellError {
  constructor(message: string, usage?: string) {
    super('usage', usage ? `${message}\nUsage: \`${usage}\`` : message);
  }
}

export class NotAnIncidentChannelError extends QuellError {
  constructor(command: string) {
    super(
      'not_incident_channel',
      `\`${command}\` works inside an incident channel. Run it there, or declare one with \`/incident declare\`.`,
    );
  }
}

export class IncidentNotFoundError extends QuellError {
  constructor(id: string) {
    super('incident_not_found', `There is no incident ${id}.`);
  }
}

/** The change is valid in form but not allowed in the incident's current state. */
export class InvalidTransitionError extends QuellError {
  constructor(message: string) {
    super('invalid_transition', message);
  }
}

export class ConcurrentUpdateError extends QuellError {
  constructor(id: string) {
    super('concurrent_update', `${id} is being changed by several people at once; please try again.`);
  }
}
