import { ConfigError } from '../config/errors.js';
import type { QuellConfig } from '../config/schema.js';
import { loadTemplateLibrary, type TemplateLibrary } from './templates.js';

/** Config that names an audience with no template is a typo waiting to happen: refuse it. */
export function checkAudiencesAgainstTemplates(config: QuellConfig, templates: TemplateLibrary): void {
  const known = templates.audiences();
  const unknown = Object.keys(config.comms.audiences).filter((a) => !known.includes(a));
  if (unknown.length > 0)
    throw new ConfigError(
      `comms.audiences names ${unknown.map((a) => `"${a}"`).join(', ')} but ${templates.dir} has no template for ${unknown.length === 1 ? 'it' : 'them'} (audiences: ${known.join(', ')})`,
    );
}

/** For `quell config check`: loads and checks every comms template; throws ConfigError naming file and line. */
export function checkCommsTemplates(config: QuellConfig): string {
  const templates = loadTemplateLibrary(config.comms.templatesDir);
  checkAudiencesAgainstTemplates(config, templates);
  const talkingPoints = templates.get(config.comms.talkingPointsAudience)
    ? ''
    : `; warning: no template for the talking-points audience "${config.comms.talkingPointsAudience}"`;
  return `comms: ${templates.list().length} templates OK in ${templates.dir} (${templates.audiences().join(', ')})${talkingPoints}`;
}
