package io.wirelink.portmap;

import java.time.Duration;
import java.util.List;

/** What {@link PortMapKeeper} needs of a gateway's port mapper ({@link PortMapper}, or a fake in tests). */
public interface Mapper {
    Mapping map(int internalPort, Duration lifetime, List<MappingProtocol> order) throws PortMapException;

    Mapping renew(Mapping m, Duration lifetime) throws PortMapException;

    void delete(Mapping m) throws PortMapException;
}
