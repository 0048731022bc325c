/** Evidence's Redis keys, under the configured prefix; one incident's keys share a hash tag. */
export function evidenceKeys(prefix: string) {
  return {
    /** Append-only list of message revisions (edits, deletions) captured while the incident was open. */
    revisions: (incidentId: string) => `${prefix}:evidence:{${incidentId}}:revisions`,
    /** Event keys already recorded, so Slack's retried deliveries are stored once. */
    revisionsSeen: (incidentId: string) => `${prefix}:evidence:{${incidentId}}:revisions-seen`,
    /** One archive run's checkpoint (staging dir, cursor, progress message), for resuming it. */
    run: (incidentId: string, runId: string) => `${prefix}:evidence:{${incidentId}}:run:${runId}`,
  };
}
