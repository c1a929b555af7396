package io.tenantgate.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Every file of the kustomize base in {@code deploy/kubernetes}, parsed with the fabric8 Kubernetes
 * model and refused on anything the model does not know.
 *
 * <p>The model's classes never fail on an unknown field: {@code @JsonAnySetter} puts it in
 * {@code additionalProperties}, so a misspelt {@code readOnlyRootFilesytem} would parse and simply
 * not be there. Parsing therefore walks every object of the result and fails on any non-empty
 * {@code additionalProperties}, and on a kind the model has no class for.
 */
final class Manifests {

    static final Path DIRECTORY = Path.of("deploy/kubernetes");
    static final String KUSTOMIZATION = "kustomization.yaml";
    static final String README = "README.md";

    static final String DASHBOARD = "tenantgate-dashboard.json";

    /** The tenant databases' CA bundle, a placeholder the operator replaces. */
    static final String DATABASE_CA_BUNDLE = "database-ca-bundle.pem";

    /** What kustomization.yaml may hold; anything else in it fails the parse. */
    record Kustomization(String apiVersion, String kind, List<String> resources,
                         List<ConfigMapGenerator> configMapGenerator) {
    }

    /** A ConfigMap kustomize makes from files of the directory. */
    record ConfigMapGenerator(String name, List<String> files, GeneratorOptions options) {
    }

    record GeneratorOptions(Boolean disableNameSuffixHash, java.util.Map<String, String> labels) {
    }

    /** One manifest and the file it came from. */
    record Manifest(String file, HasMetadata resource) {
    }

    private final Kustomization kustomization;
    private final List<Manifest> manifests;
    private final List<String> otherFiles;

    private Manifests(Kustomization kustomization, List<Manifest> manifests, List<String> otherFiles) {
        this.kustomization = kustomization;
        this.manifests = manifests;
        this.otherFiles = otherFiles;
    }

    /** Parses every {@code *.yaml} file of the directory; fails on the first that is not strictly valid. */
    static Manifests load() {
        ObjectMapper strictYaml = new ObjectMapper(new YAMLFactory())
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        KubernetesSerialization serialization = new KubernetesSerialization();
        List<Manifest> manifests = new ArrayList<>();
        List<String> otherFiles = new ArrayList<>();
        Kustomization kustomization = null;
        try (Stream<Path> files = Files.list(DIRECTORY)) {
            for (Path path : files.sorted().toList()) {
                String file = path.getFileName().toString();
                if (file.equals(KUSTOMIZATION)) {
                    kustomization = strictYaml.readValue(path.toFile(), Kustomization.class);
                } else if (file.endsWith(".yaml")) {
                    manifests.add(new Manifest(file, parse(serialization, path)));
                } else {
                    otherFiles.add(file);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (kustomization == null) {
            throw new AssertionError(DIRECTORY.resolve(KUSTOMIZATION) + " is missing");
        }
        return new Manifests(kustomization, List.copyOf(manifests), List.copyOf(otherFiles));
    }

    private static HasMetadata parse(KubernetesSerialization serialization, Path path) throws IOException {
        Object parsed = serialization.unmarshal(Files.readString(path));
        if (!(parsed instanceof HasMetadata resource) || parsed instanceof GenericKubernetesResource) {
            throw new AssertionError(path + " is not one resource of a kind the Kubernetes model knows (got "
                    + (parsed == null ? "nothing" : parsed.getClass().getSimpleName())
                    + "); check apiVersion and kind, and keep one resource per file");
        }
        List<String> unknown = new ArrayList<>();
        collectUnknownFields(resource, resource.getKind(), unknown);
        if (!unknown.isEmpty()) {
            throw new AssertionError(path + " has fields the Kubernetes model does not know: " + unknown);
        }
        return resource;
    }

    /** Walks the model's getters depth first, reporting every non-empty {@code additionalProperties}. */
    private static void collectUnknownFields(Object value, String path, List<String> unknown) {
        if (value instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                collectUnknownFields(item, path + "[" + i++ + "]", unknown);
            }
            return;
        }
        if (value instanceof Map<?, ?> entries) {
            entries.forEach((key, item) -> collectUnknownFields(item, path + "." + key, unknown));
            return;
        }
        if (value == null || !value.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get")
                    || Modifier.isStatic(getter.getModifiers()) || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object child;
            try {
                child = getter.invoke(value);
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new AssertionError("cannot read " + path + " through " + getter, e);
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                if (child instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    unknown.add(path + ": " + extra.keySet());
                }
            } else {
                collectUnknownFields(child, path + "." + getter.getName().substring(3), unknown);
            }
        }
    }

    Kustomization kustomization() {
        return kustomization;
    }

    List<Manifest> all() {
        return manifests;
    }

    /** Files in the directory that are neither manifests nor the kustomization. */
    List<String> otherFiles() {
        return otherFiles;
    }

    /** The ConfigMap kustomize makes under this name. */
    ConfigMapGenerator generator(String name) {
        return kustomization.configMapGenerator().stream().filter(g -> g.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("kustomization.yaml generates no ConfigMap " + name));
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return manifests.stream().map(Manifest::resource).filter(type::isInstance).map(type::cast).toList();
    }

    /** The only manifest of this type; the base is meant to hold exactly one of each. */
    <T extends HasMetadata> T one(Class<T> type) {
        List<T> found = all(type);
        if (found.size() != 1) {
            throw new AssertionError("expected one " + type.getSimpleName() + " in " + DIRECTORY + ", found "
                    + found.size());
        }
        return found.get(0);
    }

    /** The Deployment's only container: tenantgate runs no sidecar. */
    Container container() {
        List<Container> containers = one(Deployment.class).getSpec().getTemplate().getSpec().getContainers();
        if (containers.size() != 1) {
            throw new AssertionError("expected one container in the Deployment, found " + containers.size());
        }
        return containers.get(0);
    }

    /** A port given by name or number, resolved against the container's declared ports; -1 if unknown. */
    int containerPort(IntOrString port) {
        if (port == null) {
            return -1;
        }
        if (port.getIntVal() != null) {
            return port.getIntVal();
        }
        return container().getPorts().stream().filter(p -> port.getStrVal().equals(p.getName()))
                .mapToInt(ContainerPort::getContainerPort).findFirst().orElse(-1);
    }
}
