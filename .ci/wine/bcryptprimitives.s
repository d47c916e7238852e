# Stand-in for bcryptprimitives.dll, which Wine 8.0 lacks (Wine added it in 8.13).
# Every Go >= 1.22 Windows binary resolves bcryptprimitives!ProcessPrng at start and dies
# without it, so the Wine test bed installs this DLL into the prefix's system32.
#
# BOOL ProcessPrng(PBYTE data, SIZE_T len) fills data from advapi32!SystemFunction036
# (RtlGenRandom). RtlGenRandom takes a ULONG length and returns a BOOLEAN, so this loops
# in 1 GiB chunks and widens the result, rather than exporting a plain forwarder that
# would truncate len and leave the upper bits of the BOOL undefined.
# Built by setup.sh with binutils-mingw-w64-x86-64 (as, dlltool, ld); see docs/windows-testing.md.

	.text
	.globl	ProcessPrng
	.def	ProcessPrng; .scl 2; .type 32; .endef
	.seh_proc ProcessPrng
ProcessPrng:
	push	%rsi
	.seh_pushreg %rsi
	push	%rdi
	.seh_pushreg %rdi
	sub	$40, %rsp		# 32 bytes shadow space, keeps rsp 16-byte aligned
	.seh_stackalloc 40
	.seh_endprologue
	mov	%rcx, %rsi		# rsi: next byte to fill
	mov	%rdx, %rdi		# rdi: bytes left
1:	test	%rdi, %rdi
	jz	2f
	mov	$0x40000000, %edx	# chunk = min(bytes left, 1 GiB)
	cmp	%rdx, %rdi
	cmovb	%rdi, %rdx
	mov	%rsi, %rcx
	add	%rdx, %rsi
	sub	%rdx, %rdi
	call	*__imp_SystemFunction036(%rip)
	test	%al, %al
	jnz	1b
	xor	%eax, %eax		# FALSE: RtlGenRandom failed
	jmp	3f
2:	mov	$1, %eax		# TRUE
3:	add	$40, %rsp
	pop	%rdi
	pop	%rsi
	ret
	.seh_endproc

# DLL entry point: nothing to initialise.
	.globl	DllMain
	.def	DllMain; .scl 2; .type 32; .endef
DllMain:
	mov	$1, %eax
	ret
