# Images without a registry: local Debian bases (debootstrap, the host's extra CA
# certificates trusted) and the project images on them. See docs/offline.md.
#
# With P on the command line (`make images-local bench P=p00`) only the images that
# pipeline's stack uses are built (P00: no broker); without it, every image. BROKER=tansu
# builds (and benches) a Kafka pipeline's stack on tansu.
.PHONY: images-local images-public

IMAGES_FOR = $(if $(filter command line environment,$(origin P)),$(foreach p,$(P),--for $(p)) $(if $(BROKER),--broker $(BROKER)))

images-local: build
	$(RTDE) images build --base local $(IMAGES_FOR)

images-public:
	$(RTDE) images build --base public $(IMAGES_FOR)
