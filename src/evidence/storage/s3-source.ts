import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { type BundleSource, BundleUnreadableError } from '../bundle-source.js';
import { describeS3Error } from './s3-client.js';

export { parseS3Url } from './s3-url.js';

/** A published bundle read straight from S3 (`quell evidence verify s3://…`). */
export class S3BundleSource implements BundleSource {
  readonly location: string;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
    private readonly ownsClient = false,
  ) {
    this.location = `s3://${bucket}/${prefix}`;
  }

  close(): void {
    if (this.ownsClient) this.client.destroy();
  }

  async list(): Promise<string[]> {
    const paths: string[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix, ContinuationToken: token }),
        );
        for (const object of page.Contents ?? [])
          if (object.Key && !object.Key.endsWith('/')) paths.push(object.Key.slice(this.prefix.length));
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    } catch (error) {
      throw new BundleUnreadableError(this.location, describeS3Error(error));
    }
    return paths.sort();
  }

  async read(path: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of await this.stream(path)) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks);
  }

  async stream(path: string): Promise<AsyncIterable<Uint8Array>> {
    const response = await this.client.send(
      new GetObjectCommand({ Bucket: this.bucket, Key: `${this.prefix}${path}` }),
    );
    return response.Body as AsyncIterable<Uint8Array>;
  }
}
