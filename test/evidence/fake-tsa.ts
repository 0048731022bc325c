import { webcrypto } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

const crypto = webcrypto;
pkijs.setEngine('fake-tsa', new pkijs.CryptoEngine({ name: 'fake-tsa', crypto: crypto as never }));

const ab = (bytes: Uint8Array): ArrayBuffer =>
  bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;

/**
 * A time-stamping authority on loopback speaking RFC 3161 over HTTP (application/timestamp-query →
 * application/timestamp-reply): a self-signed RSA certificate signs a TSTInfo for the request's
 * imprint and nonce, as a real TSA does. `requests` keeps what was asked.
 */
export class FakeTsa {
  readonly requests: Buffer[] = [];
  url = '';
  certificateDer = Buffer.alloc(0);
  private server?: Server;
  private keys?: webcrypto.CryptoKeyPair;
  private certificate?: pkijs.Certificate;
  private serial = 1;
  /** The time the TSA vouches for. */
  now = () => new Date('2026-11-21T15:00:05Z');

  async start(): Promise<this> {
    this.keys = (await crypto.subtle.generateKey(
      {
        name: 'RSASSA-PKCS1-v1_5',
        modulusLength: 2048,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: 'SHA-256',
      },
      true,
      ['sign', 'verify'],
    )) as webcrypto.CryptoKeyPair;
    const cert = new pkijs.Certificate();
    cert.version = 2;
    cert.serialNumber = new asn1js.Integer({ value: 1 });
    const name = new pkijs.AttributeTypeAndValue({
      type: '2.5.4.3',
      value: new asn1js.Utf8String({ value: 'Quell test TSA' }),
    });
    cert.issuer.typesAndValues.push(name);
    cert.subject.typesAndValues.push(name);
    cert.notBefore.value = new Date('2026-01-01T00:00:00Z');
    cert.notAfter.value = new Date('2036-01-01T00:00:00Z');
    // extendedKeyUsage: timeStamping (critical), as RFC 3161 requires of a TSA certificate
    cert.extensions = [
      new pkijs.Extension({
        extnID: '2.5.29.37',
        critical: true,
        extnValue: new pkijs.ExtKeyUsage({ keyPurposes: ['1.3.6.1.5.5.7.3.8'] }).toSchema().toBER(false),
        parsedValue: new pkijs.ExtKeyUsage({ keyPurposes: ['1.3.6.1.5.5.7.3.8'] }),
      }),
    ];
    await cert.subjectPublicKeyInfo.importKey(this.keys.publicKey as never);
    await cert.sign(this.keys.privateKey as never, 'SHA-256');
    this.certificate = cert;
    this.certificateDer = Buffer.from(cert.toSchema().toBER(false));
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        this.requests.push(body);
        if (req.headers['content-type'] !== 'application/timestamp-query') {
          res.writeHead(415).end();
          return;
        }
        this.respond(body).then(
          (der) => res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(der),
          () => res.writeHead(400).end(),
        );
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/tsa`;
    return this;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** A token for `imprint` signed by this TSA (tests also use it to forge one over other bytes). */
  async token(hashedMessage: Uint8Array, nonce?: asn1js.Integer): Promise<Buffer> {
    const tst = new pkijs.TSTInfo({
      version: 1,
      policy: '1.3.6.1.4.1.99999.1',
      messageImprint: new pkijs.MessageImprint({
        hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: '2.16.840.1.101.3.4.2.1' }),
        hashedMessage: new asn1js.OctetString({ valueHex: ab(hashedMessage) }),
      }),
      serialNumber: new asn1js.Integer({ value: this.serial++ }),
      genTime: this.now(),
      ...(nonce ? { nonce } : {}),
    });
    // set after construction: pkijs's constructor would chunk it into a constructed OCTET STRING
    const encap = new pkijs.EncapsulatedContentInfo({ eContentType: '1.2.840.113549.1.9.16.1.4' });
    encap.eContent = new asn1js.OctetString({ valueHex: tst.toSchema().toBER(false) });
    const signed = new pkijs.SignedData({
      version: 3,
      encapContentInfo: encap,
      signerInfos: [
        new pkijs.SignerInfo({
          version: 1,
          sid: new pkijs.IssuerAndSerialNumber({
            issuer: this.certificate!.issuer,
            serialNumber: this.certificate!.serialNumber,
          }),
        }),
      ],
      certificates: [this.certificate!],
    });
    await signed.sign(this.keys!.privateKey as never, 0, 'SHA-256');
    const info = new pkijs.ContentInfo({
      contentType: '1.2.840.113549.1.7.2',
      content: signed.toSchema(true),
    });
    return Buffer.from(info.toSchema().toBER(false));
  }

  private async respond(body: Buffer): Promise<Buffer> {
    const request = pkijs.TimeStampReq.fromBER(ab(body));
    const token = await this.token(
      new Uint8Array(request.messageImprint.hashedMessage.valueBlock.valueHexView),
      request.nonce,
    );
    const resp = new pkijs.TimeStampResp({
      status: new pkijs.PKIStatusInfo({ status: 0 }),
      timeStampToken: new pkijs.ContentInfo({ schema: asn1js.fromBER(ab(token)).result }),
    });
    return Buffer.from(resp.toSchema().toBER(false));
  }
}
