import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { extname } from 'node:path';
import { BadRequestException, PayloadTooLargeException } from '@nestjs/common';
import type { Request, Response } from 'express';
import multer from 'multer';

export const VIDEO_EXTENSIONS = ['.mp4', '.webm', '.mov', '.mkv', '.avi'];

export interface UploadedVideo {
  path: string;
  originalName: string;
  size: number;
  fields: Record<string, unknown>;
}

/** Streams the multipart field `file` to `dir` (never buffered in memory), enforcing size and type. */
export function receiveVideo(req: Request, res: Response, dir: string, maxMb: number): Promise<UploadedVideo> {
  mkdirSync(dir, { recursive: true });
  const upload = multer({
    storage: multer.diskStorage({
      destination: dir,
      filename: (_req, file, cb) => cb(null, `${randomUUID()}${extname(file.originalname).toLowerCase()}`),
    }),
    limits: { fileSize: maxMb * 1024 * 1024, files: 1, fields: 10 },
    fileFilter: (_req, file, cb) => {
      const ext = extname(file.originalname).toLowerCase();
      if (!VIDEO_EXTENSIONS.includes(ext)) {
        cb(
          new BadRequestException(
            `unsupported file type "${ext || file.originalname}": use ${VIDEO_EXTENSIONS.join(', ')}`,
          ),
        );
        return;
      }
      cb(null, true);
    },
  }).single('file');
  return new Promise((resolve, reject) => {
    upload(req, res, (err: unknown) => {
      if (err instanceof multer.MulterError) {
        if (err.code === 'LIMIT_FILE_SIZE')
          return reject(new PayloadTooLargeException(`file is larger than ${maxMb} MB (LECTERN_UPLOAD_MAX_MB)`));
        return reject(new BadRequestException(`invalid upload: ${err.message}${err.field ? ` (${err.field})` : ''}`));
      }
      if (err) return reject(err instanceof Error ? err : new Error('upload failed'));
      const file = req.file;
      if (!file) return reject(new BadRequestException('invalid upload: multipart field "file" is missing'));
      resolve({
        path: file.path,
        originalName: file.originalname,
        size: file.size,
        fields: (req.body ?? {}) as Record<string, unknown>,
      });
    });
  });
}
