/** Why a document was refused or cannot be served: the core's own errors, said by each edge in its language. */

/** The upload was larger than `LEDGER_DOCUMENT_MAX_MB`: nothing of it was kept. */
export class DocumentTooLarge extends Error {
  constructor(readonly limitBytes: number) {
    super(`a document may be at most ${limitBytes} bytes (LEDGER_DOCUMENT_MAX_MB)`);
    this.name = 'DocumentTooLarge';
  }
}

/** The bytes are none of the types the record keeps (told from the content, not a name): nothing was kept. */
export class UnsupportedDocument extends Error {
  constructor() {
    super(
      'the document is not a PDF, an image (JPEG, PNG, GIF, WebP, TIFF), an e-mail (.eml), an Office or OpenDocument file, or plain UTF-8 text',
    );
    this.name = 'UnsupportedDocument';
  }
}

/** No such document on this complaint's record (by then). */
export class DocumentNotFound extends Error {
  constructor(readonly documentId: string) {
    super(`no document ${documentId} is attached to this complaint`);
    this.name = 'DocumentNotFound';
  }
}

/** The resident was erased: their documents can never be read again. */
export class DocumentGone extends Error {
  constructor(readonly documentId: string) {
    super(`document ${documentId}'s resident was erased: it can no longer be read`);
    this.name = 'DocumentGone';
  }
}

/** What is stored is not the document the record names: missing, or altered. Tampering: never served. */
export class DocumentTampered extends Error {
  constructor(
    readonly documentId: string,
    readonly problem: 'missing' | 'altered',
    detail: string,
  ) {
    super(`document ${documentId} is ${problem}: ${detail}`);
    this.name = 'DocumentTampered';
  }
}
