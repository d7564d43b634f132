# firmware/firmware.mk: the DSDT, compiled from ASL by iasl at build time.
# Included by the top Makefile; uses its BUILD, Q, HOST_CFLAGS, KERN_CFLAGS
# and SETUP_STAMP. The objects themselves are built by the top Makefile's
# pattern rules, in both hosts; the rules here add the generated header and
# an -I to find it.
#
#   $(BUILD)/firmware/dsdt.hex   unsigned char dsdt_aml_code[] (iasl -tc)
#   $(BUILD)/firmware/dsdt.aml   the same table as a file, for inspection

FW_GEN      := $(BUILD)/firmware
FW_DSDT_HEX := $(FW_GEN)/dsdt.hex
FW_DSDT_USERS := acpi.o

# -we: an ASL warning is an error; the log is shown only when iasl fails
$(FW_DSDT_HEX): firmware/dsdt.asl | $(SETUP_STAMP)
	@mkdir -p $(FW_GEN)
	@echo "  IASL    $<"
	$(Q)iasl -we -tc -p $(FW_GEN)/dsdt $< >$(FW_GEN)/dsdt.log 2>&1 || \
	    { cat $(FW_GEN)/dsdt.log >&2; rm -f $@; exit 1; }

$(addprefix $(BUILD)/hosted/firmware/,$(FW_DSDT_USERS)): $(FW_DSDT_HEX)
$(addprefix $(BUILD)/hosted/firmware/,$(FW_DSDT_USERS)): HOST_CFLAGS += -I$(FW_GEN)
$(addprefix $(BUILD)/kernel/firmware/,$(FW_DSDT_USERS)): $(FW_DSDT_HEX)
$(addprefix $(BUILD)/kernel/firmware/,$(FW_DSDT_USERS)): KERN_CFLAGS += -I$(FW_GEN)
