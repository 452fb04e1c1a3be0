export * from './frame-source';
export * from './ffprobe';
export * from './ffmpeg-decoder';
export * from './ffmpeg-source';
