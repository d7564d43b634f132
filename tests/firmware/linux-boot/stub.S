/*
 * stub.S: a Multiboot 1 shim that lets QEMU boot Linux through baremu's
 * firmware. QEMU's -kernel loads this stub and, as module 0, a memory image
 * written by mkimage.c (baremu's tables and linux_load()'s result). The stub
 * copies each record into place, enters long mode with the loader's GDT and
 * page tables, and jumps to the 64-bit entry with RSI at the zero page, as
 * the vCPU would start (struct fw_entry, FW_ENTRY_LONG64).
 *
 * The image: u32 nrec, rip, rsi, cr3, gdt_base, gdt_limit; then nrec records
 * of u32 addr, u32 len, len bytes. A record may overlap the image (the
 * kernel goes to 16 MiB, above it): records are copied as memmove would.
 */
#define MB1_MAGIC 0x1badb002
#define MB1_MODS_ADDR 24 /* multiboot_info.mods_addr */
#define PCI_CONFIG_ADDR 0xcf8
#define PCI_CONFIG_DATA 0xcfc
#define I440FX_PAM0_DWORD 0x80000058 /* bus 0, device 0: PAM0..2 at 0x59..0x5b */
#define I440FX_PAM3_DWORD 0x8000005c /* PAM3..6 at 0x5c..0x5f */
#define PAM_READ_WRITE 0x33
#define CR4_PAE 0x20
#define MSR_EFER 0xc0000080
#define EFER_LME 0x100
#define CR0_PG 0x80000000
#define BOOT_CS 0x10
#define BOOT_DS 0x18

	.section .multiboot, "a"
	.align 4
	.long MB1_MAGIC, 0, -MB1_MAGIC

	.text
	.code32
	.globl _start
_start:
	cli
	cld
	mov MB1_MODS_ADDR(%ebx), %esi
	mov (%esi), %esi                /* mod_start: the image */

	/* SeaBIOS leaves 0xf0000-0xfffff read-only: make the BIOS area RAM again */
	mov $I440FX_PAM0_DWORD, %eax
	mov $PCI_CONFIG_ADDR, %dx
	out %eax, %dx
	mov $PAM_READ_WRITE, %al
	mov $PCI_CONFIG_DATA + 1, %dx
	out %al, %dx
	inc %dx
	out %al, %dx
	inc %dx
	out %al, %dx
	mov $I440FX_PAM3_DWORD, %eax
	mov $PCI_CONFIG_ADDR, %dx
	out %eax, %dx
	mov $PAM_READ_WRITE, %al
	mov $PCI_CONFIG_DATA, %dx
	mov $4, %ecx
1:	out %al, %dx
	inc %dx
	loop 1b

	lodsl
	mov %eax, nrec
	lodsl
	mov %eax, rip
	lodsl
	mov %eax, rsi_val
	lodsl
	mov %eax, cr3_val
	lodsl
	mov %eax, gdtr + 2
	lodsl
	mov %ax, gdtr

copy:	cmpl $0, nrec
	je done
	decl nrec
	lodsl
	mov %eax, %edi
	lodsl
	mov %eax, %ecx
	lea (%esi, %ecx), %ebx          /* the next record */
	cmp %esi, %edi
	jbe 2f
	lea -1(%esi, %ecx), %esi        /* above the source: copy backwards */
	lea -1(%edi, %ecx), %edi
	std
2:	rep movsb
	cld
	mov %ebx, %esi
	jmp copy

done:	lgdt gdtr
	mov %cr4, %eax
	or $CR4_PAE, %eax
	mov %eax, %cr4
	mov cr3_val, %eax
	mov %eax, %cr3
	mov $MSR_EFER, %ecx
	rdmsr
	or $EFER_LME, %eax
	wrmsr
	mov %cr0, %eax
	or $CR0_PG, %eax
	mov %eax, %cr0
	ljmp $BOOT_CS, $long64

	.code64
long64:
	mov $BOOT_DS, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov rsi_val(%rip), %esi
	mov rip(%rip), %eax
	jmp *%rax

	.data
	.align 8
nrec:	.long 0
rip:	.long 0
rsi_val: .long 0
cr3_val: .long 0
gdtr:	.word 0
	.long 0
