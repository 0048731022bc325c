import { createHash, randomBytes, webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

/**
 * RFC 3161 trusted timestamps over the manifest's bytes: a third party (the TSA) signs "these bytes'
 * SHA-256 existed at this time", so a bundle rewritten later cannot carry an earlier date. The token
 * (a CMS SignedData over a TSTInfo, DER) is stored beside the manifest as manifest.json.tsr.
 */
const SHA256_OID = '2.16.840.1.101.3.4.2.1';
const TST_INFO_OID = '1.2.840.113549.1.9.16.1.4';
const SIGNED_DATA_OID = '1.2.840.113549.1.7.2';

let engineSet = false;
function engine(): void {
  if (engineSet) return;
  pkijs.setEngine(
    'node',
    new pkijs.CryptoEngine({
      name: 'node',
      crypto: webcrypto as unknown as ConstructorParameters<typeof pkijs.CryptoEngine>[0]['crypto'],
    }),
  );
  engineSet = true;
}

export class TimestampError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimestampError';
  }
}

const toArrayBuffer = (bytes: Uint8Array): ArrayBuffer =>
  bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;

/** A DER TimeStampReq for the SHA-256 of `data`, asking for the TSA's certificate in the token. */
export function timestampRequest(data: Uint8Array, nonce = randomBytes(8)): Buffer {
  engine();
  const request = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: SHA256_OID }),
      hashedMessage: new asn1js.OctetString({
        valueHex: toArrayBuffer(createHash('sha256').update(data).digest()),
      }),
    }),
    nonce: new asn1js.Integer({ valueHex: toArrayBuffer(Buffer.concat([Buffer.from([1]), nonce])) }),
    certReq: true,
  });
  return Buffer.from(request.toSchema().toBER(false));
}

/**
 * Asks the TSA at `url` to timestamp `data`; returns the DER token. A refusal, a wrong imprint or a
 * nonce that is not ours fails: a token that does not cover these bytes is worse than none.
 */
export async function requestTimestamp(
  url: string,
  data: Uint8Array,
  options: { timeoutMs?: number; fetch?: typeof fetch } = {},
): Promise<Buffer> {
  engine();
  const body = timestampRequest(data);
  const response = await (options.fetch ?? fetch)(url, {
    method: 'POST',
    headers: { 'content-type': 'application/timestamp-query' },
    body,
    signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
  });
  if (!response.ok) throw new TimestampError(`the TSA answered HTTP ${response.status}`);
  const der = new Uint8Array(await response.arrayBuffer());
  let resp: pkijs.TimeStampResp;
  try {
    resp = pkijs.TimeStampResp.fromBER(toArrayBuffer(der));
  } catch {
    throw new TimestampError('the TSA answered something that is not a TimeStampResp');
  }
  const status = resp.status.status;
  if (status !== 0 && status !== 1)
    throw new TimestampError(`the TSA refused the request (PKIStatus ${status})`);
  if (!resp.timeStampToken) throw new TimestampError('the TSA granted no token');
  const token = Buffer.from(resp.timeStampToken.toSchema().toBER(false));
  const info = readToken(token);
  if (info.imprintSha256 !== createHash('sha256').update(data).digest('hex'))
    throw new TimestampError('the TSA token covers other bytes than the manifest');
  const request = pkijs.TimeStampReq.fromBER(toArrayBuffer(body));
  if (
    info.nonce &&
    request.nonce &&
    info.nonce !== Buffer.from(request.nonce.valueBlock.valueHexView).toString('hex')
  )
    throw new TimestampError('the TSA token answers another request (nonce differs)');
  return token;
}

export interface TimestampInfo {
  genTime: Date;
  imprintSha256: string;
  serial: string;
  nonce?: string;
  policy: string;
}

function parseSignedData(token: Uint8Array): pkijs.SignedData {
  const info = pkijs.ContentInfo.fromBER(toArrayBuffer(token));
  if (info.contentType !== SIGNED_DATA_OID) throw new TimestampError('the token is not a CMS SignedData');
  const signed = new pkijs.SignedData({ schema: info.content });
  if (signed.encapContentInfo.eContentType !== TST_INFO_OID)
    throw new TimestampError('the token does not carry a TSTInfo');
  return signed;
}

/** What a token says, without checking its signature. */
export function readToken(token: Uint8Array): TimestampInfo {
  engine();
  let signed: pkijs.SignedData;
  try {
    signed = parseSignedData(token);
  } catch (error) {
    if (error instanceof TimestampError) throw error;
    throw new TimestampError('the token is not valid DER');
  }
  const content = signed.encapContentInfo.eContent;
  if (!content) throw new TimestampError('the token carries no TSTInfo');
  const tst = pkijs.TSTInfo.fromBER(toArrayBuffer(new Uint8Array(content.getValue())));
  if (tst.messageImprint.hashAlgorithm.algorithmId !== SHA256_OID)
    throw new TimestampError('the token hashes with something other than SHA-256');
  return {
    genTime: tst.genTime,
    imprintSha256: Buffer.from(tst.messageImprint.hashedMessage.valueBlock.valueHexView).toString('hex'),
    serial: Buffer.from(tst.serialNumber.valueBlock.valueHexView).toString('hex'),
    ...(tst.nonce ? { nonce: Buffer.from(tst.nonce.valueBlock.valueHexView).toString('hex') } : {}),
    policy: tst.policy,
  };
}

/**
 * Checks a token against `data`: the imprint is the SHA-256 of these bytes and the TSA's signature
 * over the TSTInfo holds (with the certificate in the token; with `trustedCertDer` given, that
 * certificate must be the signer). Returns the time the TSA vouches for.
 */
export async function verifyTimestamp(
  token: Uint8Array,
  data: Uint8Array,
  trustedCertDer?: Uint8Array,
): Promise<TimestampInfo> {
  engine();
  const info = readToken(token);
  if (info.imprintSha256 !== createHash('sha256').update(data).digest('hex'))
    throw new TimestampError('the timestamp covers other bytes than manifest.json');
  const signed = parseSignedData(token);
  // a TSTInfo sent as a constructed OCTET STRING is the same bytes; pkijs verifies the primitive form
  const content = signed.encapContentInfo.eContent;
  if (content?.idBlock.isConstructed)
    signed.encapContentInfo.eContent = new asn1js.OctetString({ valueHex: content.getValue() });
  let verified: boolean;
  let signer: pkijs.Certificate | null | undefined;
  try {
    // `data`: pkijs also checks the TSTInfo's imprint against the timestamped bytes
    const result = await signed.verify({
      signer: 0,
      data: toArrayBuffer(data),
      checkChain: false,
      extendedMode: true,
    });
    verified = result.signatureVerified === true;
    signer = result.signerCertificate;
  } catch {
    verified = false;
  }
  if (!verified) throw new TimestampError("the TSA's signature on the timestamp does not verify");
  if (trustedCertDer) {
    const der = signer ? Buffer.from(signer.toSchema().toBER(false)) : undefined;
    if (!der?.equals(Buffer.from(trustedCertDer)))
      throw new TimestampError('the timestamp was signed by another certificate than the trusted TSA one');
  }
  return info;
}
