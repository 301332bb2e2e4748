// The zone form's file picker: reads a chosen GeoJSON file into the text field the form sends
// (the file itself is never uploaded; without a script the field is filled by pasting).
(function () {
  var box = document.getElementById('file-box');
  var input = document.getElementById('geojson-file');
  var text = document.getElementById('geojson');
  if (!box || !input || !text || !window.FileReader) return;
  box.hidden = false;
  input.addEventListener('change', function () {
    var file = input.files && input.files[0];
    if (!file) return;
    var reader = new FileReader();
    reader.onload = function () {
      text.value = String(reader.result || '');
    };
    reader.readAsText(file);
  });
})();
