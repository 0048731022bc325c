import { MASK, maskTranscriptSecrets } from '../evidence/index.js';

/**
 * Readable views of collected prompts (agent-timeline.md, Slack) mask secrets with the evidence
 * feature's rules and, on top, personal data that prompts often carry: e-mail addresses, phone
 * numbers, payment card numbers (Luhn-checked) and IBANs. The raw files keep everything: they are
 * the evidence.
 */
const EMAIL = /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b/g;
/** International (`+44 20 7946 0958`) or North American (`(415) 555-0132`) phone numbers. */
const PHONE =
  /(?:\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]?\d{2,4}){1,4}|\(\d{3}\) ?\d{3}-\d{4})(?![\w])/g;
const CARD = /\b(?:\d[ -]?){13,19}\b/g;
const IBAN = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b/g;

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

export function maskForReading(text: string): string {
  return maskTranscriptSecrets(text)
    .replace(CARD, (m) => {
      const digits = m.replace(/\D/g, '');
      return digits.length >= 13 && luhn(digits) ? MASK : m;
    })
    .replace(EMAIL, MASK)
    .replace(IBAN, MASK)
    .replace(PHONE, (m) => (m.replace(/\D/g, '').length >= 9 ? MASK : m));
}
