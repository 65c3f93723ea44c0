// Boot images that come as files: uploads checked and stored by content, and the images an exported VM carries.
import { CorruptError, ValidationError, type BootImageRef, type VmConfig } from '../domain/index.ts';
import { KERNEL_BASE } from '../emulator/layout.ts';
import { readImage } from '../emulator/loaders/detectImage.ts';
import { sha256Hex, type ImageStore } from '../store/ImageStore.ts';
import type { FileImage, ParsedStream } from '../store/streamFile.ts';
import type { ImageFile } from './protocol.ts';

/** Refuses an image the machine could not load, naming the file and the problem. */
export function checkImage(file: ImageFile, rawBase?: number): void {
  if (file.bytes.length === 0) throw new ValidationError(`Cannot load '${file.name}': the file is empty.`);
  try {
    readImage(file.bytes, file.name, rawBase);
  } catch (error) {
    throw new ValidationError(error instanceof Error ? error.message : String(error), 'Choose an ELF64 RISC-V program or a raw binary built for 0x80000000.');
  }
}

/** Checks uploaded boot files and stores them by content; returns the references a VmConfig takes. */
export async function storeBootFiles(
  images: ImageStore,
  bios: ImageFile,
  kernel: ImageFile | undefined,
  now: number,
): Promise<{ biosRef: BootImageRef; kernelRef?: BootImageRef }> {
  checkImage(bios);
  if (kernel) checkImage(kernel, KERNEL_BASE);
  const stored = await images.put(bios.name, bios.bytes, now);
  const biosRef = { name: bios.name, sha256: stored.sha256, size: stored.size };
  if (!kernel) return { biosRef };
  const kernelStored = await images.put(kernel.name, kernel.bytes, now);
  return { biosRef, kernelRef: { name: kernel.name, sha256: kernelStored.sha256, size: kernelStored.size } };
}

/** The uploaded images a VM boots from, to carry in its exported file (built-in ones are not carried). */
export async function fileImagesOf(images: ImageStore | undefined, config: VmConfig): Promise<FileImage[]> {
  const out: FileImage[] = [];
  for (const ref of [config.bootImage, config.kernelImage]) {
    if (!ref || ref.builtin || !ref.sha256 || !images) continue;
    out.push({ sha256: ref.sha256, name: ref.name, bytes: (await images.get(ref.sha256)).bytes });
  }
  return out;
}

/** Checks each carried image against its hash and stores it; refuses a VM whose images are nowhere. */
export async function importFileImages(images: ImageStore | undefined, parsed: ParsedStream, fileName: string, now: number): Promise<void> {
  for (const image of parsed.images) {
    if ((await sha256Hex(image.bytes)) !== image.sha256) {
      throw new CorruptError(`${fileName}: the boot image '${image.name}' does not match its sha256; the file is damaged.`, 'Export the VM again.');
    }
  }
  const first = parsed.events[0];
  const config = first?.type === 'VmCreated' ? first.data.config : null;
  for (const ref of config ? [config.bootImage, config.kernelImage] : []) {
    if (!ref || ref.builtin || !ref.sha256) continue;
    const carried = parsed.images.some((i) => i.sha256 === ref.sha256);
    const stored = images ? await images.get(ref.sha256).then(() => true, () => false) : false;
    if (!carried && !stored) {
      throw new CorruptError(`${fileName}: the VM boots '${ref.name}', which the file does not carry and this browser does not have.`, 'Export the VM again from where it was made.');
    }
  }
  if (!images) return;
  for (const image of parsed.images) await images.put(image.name, image.bytes, now);
}
