# Images without a registry: local Debian bases (debootstrap, the host's extra CA
# certificates trusted) and every project image on them. See docs/offline.md.
.PHONY: images-local images-public

images-local: build
	$(RTDE) images build --base local

images-public:
	$(RTDE) images build --base public
