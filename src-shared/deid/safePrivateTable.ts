// PS3.15 Table E.3.10-1 "Safe Private Attributes", as published in the current edition of the standard
// (https://dicom.nema.org/medical/dicom/current/output/chtml/part15/sect_E.3.10.html, transcribed from the CSV
// extract in GitHub tatsunidas/GRAPHY-Next backend/src/main/resources/dicom_dict/
// Table_E3_10-1_SafePrivateAttributes.csv, commit 5eab90d). One block per Private Creator, then one row per
// element: group, element byte (the "ee" of (gggg,xxee)), VR ('-' where the table gives none), VM, meaning.
// The table has no condition column; rows are unconditional.
export const SAFE_PRIVATE_TABLE_TEXT = `
@Philips PET Private Group
7053 00 DS 1 SUV Factor
7053 09 DS 1 Activity Concentration Factor
@ELSCINT1
00E1 21 DS 1 DLP
00E1 50 DS 1 Acquisition Duration
01E1 26 CS 1 Phantom Type
01F1 01 CS 1 Acquisition Type
01F1 07 DS 1 Table Velocity
01F1 26 DS 1 Pitch
01F1 27 DS 1 Rotation Time
@GEMS_ACQU_01
0019 23 DS 1 Table Speed [mm/rotation]
0019 24 DS 1 Mid Scan Time [sec]
0019 27 DS 1 Rotation Speed (Gantry Period)
0019 9E LO 1 Internal Pulse Sequence Name
@GEMS_PARM_01
0043 27 SH 1 Scan Pitch Ratio in the form "n.nnn:1"
0043 39 IS 4 1st value is B Value
0043 6F DS 3-4 Scanner Table Entry + Gradient Coil Selected
@GEMS_HELIOS_01
0045 01 SS 1 Number of Macro Rows in Detector
0045 02 FL 1 Macro width at ISO Center
@GEIIS PACS
0903 10 US 1 Reject Image Flag
0903 11 US 1 Significant Flag
0903 12 US 1 Confidential Flag
@Philips Imaging DD 001
2001 01 FL 1 MR Image Chemical Shift
2001 02 IS 1 MR Image Chemical Shift Number
2001 03 FL 1 MR Image Diffusion B-Factor
2001 04 CS 1 MR Image Diffusion Direction
2001 05 SS 1 Graphic Annotation Parent ID
2001 06 CS 1 MR Image Enhanced
2001 07 CS 1 MR Image Type Edes
2001 08 IS 1 MR Image Phase Number
2001 09 FL 1 MR Image Prepulse Delay
2001 0A IS 1 Image Plane Number
2001 0B CS 1 Image Plane Orientation
2001 0C CS 1 MR Series Arrhythmia Rejection
2001 0E CS 1 MR Series Cardiac Cycled
2001 0F SS 1 MR Series Cardiac Gate Width
2001 10 CS 1 MR Series Cardiac Sync
2001 11 FL 1 MR Series Diffusion Echo Time
2001 12 CS 1 MR Series Dynamic Series
2001 13 SL 1 MR Series Epi Factor
2001 14 SL 1 MR Series Nr Of Echoes
2001 15 SS 1 MR Series Nr Of Locations
2001 16 SS 1 MR Series Nr Of Phase Contrast Directions
2001 17 SL 1 MR Series Nr Of Phases
2001 18 SL 1 MR Series Nr Of Slices
2001 19 CS 1 MR Series Partial Matrix Scanned
2001 1A FL 3 MR Series Pc Velocity
2001 1B FL 1 MR Series Prepulse Delay
2001 1C CS 1 MR Series Prepulse Type
2001 1D IS 1 MR Series Reconstruction Number
2001 1E CS 1 MR Series Reformat Accuracy
2001 1F CS 1 MR Series Respiration Sync
2001 21 CS 1 MR Series Sel Part Inversion Recovery
2001 22 FL 1 MR Series Water Fat Shift
2001 23 DS 1 MR Series Flip Angle
2001 24 CS 1 MR Series Is Interactive
2001 25 SH 1 MR Series Echo Time Display
2001 26 CS 1 Presentation State Subtraction Active
2001 27 CS 1 Edge Enhancement Kernel Size
2001 28 FL 1 Edge Enhancement Gain Factor Sub
2001 29 FL 1 Edge Enhancement Gain Factor
2001 2A CS 1 Edge Enhancement Taste Adapt Sub
2001 2B CS 1 Edge Enhancement Taste Adapt
2001 2C FL 1 Harmonization Factor
2001 2D SS 1 Stack Number Of Slices
2001 2E CS 1 Harmonization Kernel Size
2001 2F FL 1 Harmonization Gain
2001 30 UL 1 Log Subtraction Gain Step Taste
2001 31 US 1 Mixing Nr Of Mask Image Numbers
2001 32 FL 1 Stack Radial Angle
2001 33 CS 1 Stack Radial Axis
2001 34 CS 1 Mixing Mask Operation Type
2001 35 SS 1 Stack Slice Number
2001 36 CS 1 Stack Type
2001 37 CS 1 Mixing Operation Type
2001 38 FL 1 Overlay Mix Factor
2001 39 FL 1 Overscan Factor
2001 3A CS 1 Pixel Shift
2001 3B FL 4 Pixel Shift Split Line Coordinates
2001 3C FL 2 Pixel Shift Shift Vectora
2001 3D UL 1 Contour Fill Color
2001 3E FL 2 Pixel Shift Shift Vectorb
2001 3F CS 1 Displayed Area Zoom Interpolation Meth
2001 40 CS 1 Pixel Shift Split Screen
2001 41 FL 1 Subtraction Land Marking Factor
2001 42 CS 1 Subtraction Land Marking Active
2001 43 IS 2 Ellips Displ Shut Major Ax Frst End Pnt
2001 44 IS 2 Ellips Displ Shut Major Ax Scnd End Pnt
2001 45 IS 2 Ellips Displ Shut Other Ax Frst End Pnt
2001 46 CS 1 Graphic Line Style
2001 47 FL 1 Graphic Line Width
2001 48 SS 1 Graphic Annotation Id
2001 49 IS 1 Trace First Image
2001 4A CS 1 Trace Taste
2001 4B CS 1 Interpolation Method
2001 4C CS 1 Poly Line Begin Point Style
2001 4D CS 1 Poly Line End Point Style
2001 4E CS 1 Window Smoothing Taste
2001 4F FD 1 Harmonization Offset
2001 50 LO 1 Graphic Marker Type
2001 51 IS 1 Overlay Plane Id
2001 53 CS 1 Presentation Gl Trafo Invert
2001 54 FL 1 Contour Fill Transparency
2001 55 UL 1 Graphic Line Color
2001 56 CS 1 Graphic Type
2001 57 CS 1 Log Subtraction Taste
2001 58 UL 1 Series Xray Contrast Transfer Taste
2001 59 IS 1 Curve Id
2001 5A ST 1 Graphic Annotation Model
2001 5D ST 1 Measurement Text Units
2001 5E ST 1 Measurement Text Type
2001 5F SQ 1-n Stack Sequence
2001 60 SL 1 MR Series Nr Of Stacks
2001 61 CS 1 Series Transmitted
2001 62 CS 1 Series Committed
2001 63 CS 1 Examination Source
2001 64 SH 1 Text Type
2001 65 SQ 1-n Overlay Plane Sequence
2001 66 SQ 1-n Image Curve
2001 67 CS 1 Linear Presentation Gl Trafo Shape Sub
2001 68 SQ 1-n Modality Gl Trafo Sequence
2001 69 SQ 1-n Display Shutter Sequence
2001 6A SQ 1-n Spatial Transformation Sequence
2001 6B SQ 1-n Edge Enhancement Sequence
2001 6D LO 1 Text Font
2001 6E SH 1 Series Type
2001 6F SQ 1-n Mixing Sequence
2001 71 CS 1 Graphic Constraint
2001 72 IS 2 Ellips Displ Shut Other Ax Scnd End Pnt
2001 73 SQ 1-n Referenced Mask Image Sequence
2001 74 DS 1-n Window Center Sub
2001 75 DS 1-n Window Width Sub
2001 76 UL 1 Presentation State Xray Contrast Transfer Taste
2001 77 CS 1 Gl Trafo Type
2001 79 SQ 1-n Harmonisation Sequence
2001 7A FL 1 Window Rounding Factor
2001 7B IS 1 MR Series Acquisition Number
2001 7C UL 1 Frame Number
2001 7D OW/OB 1 Frame Pixel Data
2001 7E US 1 Edge Enhancement Gain Taste
2001 7F US 1 Edge Enhancement Gain Taste Sub
2001 80 LO 1 Text Anchor Point Alignment
2001 81 IS 1 MR Series Nr Of Dynamic Scans
2001 82 IS 1 MR Series Echo Train Length
2001 83 DS 1 MR Series Imaging Frequency
2001 84 DS 1 MR Series Inversion Time
2001 85 DS 1 MR Series Magnetic Field Strength
2001 86 IS 1 MR Series Nr Of Phase Encoding Steps
2001 87 SH 1 MR Series Nucleus
2001 88 DS 1 MR Series Number Of Averages
2001 89 DS 1 MR Series Percent Phase Field Of View
2001 8A DS 1 MR Series Percent Sampling
2001 8B SH 1 MR Series Transmitting Coil
2001 8C CS 0-n Needs Processing
2001 90 LO 1 Text Foreground Color
2001 91 LO 1 Text Background Color
2001 92 LO 1 Text Shadow Color
2001 93 LO 1 Text Style
2001 94 LO 1 Processing Order Specialization
2001 9A SQ 1-n Graphic Number Sequence
2001 9B UL 1 Graphic Number
2001 9D LO 1 Subtraction Type
2001 9F US 2 Pixel Processing Kernel Size
2001 A1 CS 1 Is Raw Image
2001 A2 US 1 Log Subtraction Curve Taste
2001 A3 UL 1 Text Color Foreground
2001 A4 UL 1 Text Color Background
2001 A5 UL 1 Text Color Shadow
2001 C0 UL 1 Content Item Identifier
2001 C1 LO 1 Nested Object Type Name
2001 C2 FD 1 Subtraction Rescale Factor
2001 C3 UL 1 Subtraction Offset
2001 C5 SQ 0-1 Mask Image Lut Sequence
2001 C6 SQ 0-1 Gain Lut Sequence
2001 C7 SQ 0-1 Contrast Image Lut Sequence
2001 CA SQ 1 Reversed Modality Lut
2001 CB IS 1 Redundant Overlay Plane Id
2001 D0 AT 1-n Frame Index Pointer
2001 D1 US 1-n Index Number Vector
2001 D2 US 1 Frame Detector Number
2001 D3 US 1 Frame Phase Number
2001 D4 US 1 Frame Rotation Number
2001 D5 US 1 Frame Rr Interval Number
2001 D6 US 1 Frame Time Slot Number
2001 D7 US 1 Frame Slice Number
2001 D8 US 1 Frame Angular View Number
2001 D9 US 1 Frame Time Slice Number
2001 DA CS 1 Is Arrowhead
2001 DB US 1 PET Rr Interval Index
2001 DC US 1 PET Time Slot Index
2001 DD US 1 PET Time Slice Index
2001 DE US 1 PET Slice Index
2001 DF UL 1 Voxel Number
2001 E9 SQ 0-n Per Frame Voxels Functional Group
2001 F1 FL 6 MR Image Prospective Motion Correction
2001 F2 FL 1-n MR Image Retrospective Motion Correction
2001 F3 CS 1 Dynamic Linear Voigl Trafo
2001 F4 UL 1 Color Key
2001 F5 CS 1 Rotated Text Allowed
2001 F6 UL 1 Number Of Represented Images
2001 F7 LO 0-n Data Type Icons
2001 F9 SQ 0-n Flagging Sequence
2001 FB SQ 0-1 Bookmark Sequence
2001 FC SQ 0-1 Ris Code Sequence
2001 FD SQ 0-n Workflow Step Sequence
2001 FF OW/OB 1 Volume Pixel
@Philips Imaging DD 002
2001 01 US 1 Edr Setgp
2001 02 FD 1 Edr Setsk
2001 03 CS 1 Um Rank Type
2001 04 SS 1 Um Rank Number
2001 05 FD 1 Um Rank Enhancement
2001 06 US 1 Um Kernel Size
2001 07 CS 1 Um Gamma Type
2001 08 FD 1 Um Gamma Angle
2001 09 FD 1 Um Gamma Shift
2001 0A FD 1 Um Gamma Center
2001 0B FD 1 Drr Contrast Equalization
2001 0C US 1 Drr Contrast Equalization Kernel Size
2001 0D CS 1 Drr Sharp Lut Type
2001 0E FD 1 Drr Sharpening
2001 0F US 1 Drr Sharp Kernel Size
2001 10 SS 1 Drr Window Width
2001 11 SS 1 Drr Window Level
2001 12 CS 1 Drr Lut Type
2001 13 SS 1 Unique Processing Mode
2001 14 FD 1 Unique Contrast Balance
2001 15 FD 1 Unique Center Density
2001 16 FD 1 Unique Bright Density
2001 17 FD 1 Unique Detail Contrast
2001 18 CS 1 Unique Density Curve
2001 19 FD 1 Unique Density Min
2001 1A FD 1 Unique Density Max
2001 1B FD 1 Unique Gamma
2001 1C FD 1 Unique Gamma Min
2001 1D FD 1 Unique Gamma Max
2001 1E FD 1 Unique Structure Preference
2001 1F FD 1 Unique Noise Limit
2001 20 FD 1 Unique Noise Band
2001 21 FD 1 Unique Noise Step
2001 22 FD 1 Unique Noise Compensation
2001 23 FD 1 Unique Structure Boost
2001 24 FD 1 Unique Strong Contrast Limit
2001 25 FD 1 Unique Strong Contrast Factor
2001 26 FD 1 Unique Structure Boost Offset
2001 27 FD 1 Unique Weak Contrast Limit
2001 28 US 1 Unique Smooth Gain
2001 29 US 1 Unique Level
2001 2A US 1 Unique Gain Up Single
2001 2B SS 1 Unique Smh Limit One
2001 2C FD 1 Unique Film Density Min
2001 2D FD 1 Unique Film Density Max
2001 2E SS 1 Unique Version
2001 2F SS 1 Ranger Version
2001 30 SS 1 Ranger Mode
2001 31 SS 1 Ranger Field1
2001 32 SS 1 Ranger Field2
2001 33 SS 1 Ranger Percentile Key1
2001 34 SS 1 Ranger Percentile Key2
2001 35 FD 1 Ranger Dose1
2001 36 FD 1 Ranger Dose2
2001 37 FD 1 Ranger Manual Dose1
2001 38 FD 1 Ranger Manual Dose2
2001 39 CS 1 Unique Rox Shape
2001 3A SQ 1 Ranger Set Sequence
2001 3B SQ 0-n Rox Sequence
2001 3C SQ 1-n Xray Edge Enhancement Sequence
2001 3D SQ 0-1 Edr Lut Sequence
2001 3E SS 1 Unique Dose Decades
2001 3F SS 1 Unique Dose Unit
2001 40 SS 1 Unique Density Unit
2001 50 CS 1 Workflow Status
2001 52 LO 1 Workflow Step Id
2001 53 CS 1 Workflow Step Status
2001 57 SQ 0-1 Workflow Step Input Sequence
2001 58 SQ 0-1 Workflow Step Output Sequence
2001 5A LO 1 Workflow Step Type
2001 5C LO 1 Workflow Id
2001 5D UL 1 Pixel Data Representation Rows
2001 5E UL 1 Pixel Data Representation Columns
2001 5F SQ 0-1 Private Dicom Extension Sequence
2001 63 ST 1 Isyntax Reference
2001 64 SQ 0-1 Workflow Step Job Params Sequence
2001 65 CS 1 Preserve Aspect
2001 66 CS 1 Interpolated
2001 67 LO 1 Error Flag
2001 68 LO 1 Error Message Id
2001 6B LO 0-n Suitable For
2001 71 CS 1 Submit Mpps Job
2001 72 FL 2 Displayed Area Bottom Right Hand Corner Fraction
2001 73 FL 2 Displayed Area Top Left Hand Corner Fraction
2001 74 LO 1 Interpolation Mode
2001 75 SS 0-n Graphic Annotation Id Reference
@Philips Imaging DD 097
2001 01 SQ 1 View Geometry
2001 02 FD 3 Frame Geometry Origin
2001 03 FD 2 Frame Geometry Extent
2001 04 FD 6 Frame Geometry Orientation
2001 05 SQ 1-n Visual Sequence
2001 06 SQ 0-n Cut Sequence
2001 07 FD 1 Visual Opacity
2001 08 SQ 1 Opacity Map Sequence
2001 0A SQ 1-n Light Sequence
2001 0B SQ 1 Color Map Sequence
2001 0D FD 1 Visual Threshold
2001 0E SQ 0-n Scene Sequence
2001 0F FD 2 Frame Geometry Slab
2001 12 SQ 1 Gradient Map Sequence
2001 17 US 1 Display Rows
2001 18 US 1 Display Columns
2001 19 LO 1 Frame Geometry Type
2001 1A FD 1 Light Intensity
2001 1B UL 1 Light Color
2001 1C FD 3 Light Origin
2001 1D FD 3 Light Direction
2001 1E FD 4-n Color Map Samples
2001 1F FD 2-n Opacity Map Samples
2001 21 UL 1 Visual Color
2001 22 FD 1 Illumination Ambient
2001 23 FD 1 Illumination Diffuse
2001 24 FD 1 Illumination Specular
2001 25 FD 1 Illumination Specular Power
2001 26 FD 1 Depth Cue Begin
2001 27 FD 1 Depth Cue Lambda
2001 28 LO 1 Depth Cue Function
2001 2A LO 1 Cut Set Type
2001 2B FD 3 Cut Plane Origin
2001 2C FD 3 Cut Plane Normal
2001 2D UL 1 Volume Definition Number
2001 2E SQ 0-1 Volume Mask Sequence
2001 2F OB 1 Volume Mask Data
2001 30 SL 3 Volume Mask Offset
2001 31 SL 3 Volume Mask Size
2001 32 SL 2 Volume Mask Alignment
2001 36 LO 1 Light Anchor
2001 37 FD 3 Cone Geometry Origin
2001 38 FD 9 Cone Geometry Orientation
2001 39 FD 1 Cone Geometry View Distance
2001 3A FD 2 Cone Geometry Slab Extent
2001 3B FD 2 Cone Geometry Field Of View
2001 3C SQ 1 Intensity Map Sequence
2001 3D FD 1-n Intensity Map Samples
2001 3E SQ 0-n Mesh Sequence
2001 40 UL 1 Mesh Color
2001 41 LO 1 Mesh Draw Style
2001 42 SQ 0-n Mesh Section Sequence
2001 44 LO 1 Mesh Section Vertex Connectivity
2001 45 SL 1 Mesh Section Vertex Size
2001 46 LO 1 Mesh Section Vertex Format
2001 47 OB 1-n Mesh Section Vertex Data
2001 49 SQ 1 Referenced Volume Definition Sequence
2001 4A OB 1-n Mesh Section Index Data
2001 4B SL 1 Mesh Section Index Size
2001 4C LO 1 Shutter Interaction Type
2001 A1 CS 1-2 Volume Type
2001 A2 FD 3 Volume Origin
2001 A3 FD 9 Volume Axis
2001 A4 FD 2 Volume Pixel Spacing
2001 A5 FD 1-n Volume Slice Spacing
2001 A6 US 1 Volume Slices
2001 A8 IS 1-n Referenced Volume Definition Number
2001 A9 SQ 0-n Linear Modality Gl Trafo Sequence
2001 AA FD 1-n Volume Slice Offsets
2001 AB IS 1 Number Of Volume Definitions
@Philips Imaging DD 129
2001 00 SQ 1 Presentation State Sequence
2001 01 SQ 1 Embedded Original Presentation State Sequence
2001 02 SQ 0-1 Planar Intersection Sequence
2001 03 UL 1 Plane Separator Line Color
2001 04 SQ 1-n Plane Sequence
2001 05 FD 4 Plane Equation
2001 06 FD 1 Plane Opacity
2001 07 CS 1 Plane Enabled
2001 08 CS 1 Plane Selected
2001 09 UL 1 Plane Highlight Color
@Philips ST80i
0025 01 OW 1 ST80i Stress Study file data
@SIEMENS MR HEADER
0019 0C IS 1 B Value
0019 0D CS 1 Diffusion Directionality
0019 0E FD 3 Diffusion Gradient Direction
0019 27 FD 6 B Matrix
@GEMS_SERS_01
0025 07 SL 1 Images in Series
@HOLOGIC, Inc.
7E01 01 LO 1 Codec Version
7E01 02 SH 1 Codec Content Type
7E01 10 SQ 1 High Resolution Data Sequence
7E01 11 SQ 1 Low Resolution Data Sequence
7E01 12 OB 1 Codec Content
@NQHeader
0099 01 UI 1 Version
0099 02 UI 1 Analyzed Series UID
0099 04 SS 1 Return Code
0099 05 LT 1 Return Message
0099 10 FL 1 MI
0099 20 SH 1 Units
0099 21 FL 1 ICV
@NQLeft
0199 01 FL 1 Left Cortical White Matter
0199 02 FL 1 Left Cortical Gray Matter
0199 03 FL 1 Left 3rd Ventricle
0199 04 FL 1 Left 4th Ventricle
0199 05 FL 1 Left 5th Ventricle
0199 06 FL 1 Left Lateral Ventricle
0199 07 FL 1 Left Inferior Lateral Ventricle
0199 08 FL 1 Left Inferior CSF
0199 09 FL 1 Left Cerebellar White Matter
0199 0A FL 1 Left Cerebellar Gray Matter
0199 0B FL 1 Left Hippocampus
0199 0C FL 1 Left Amygdala
0199 0D FL 1 Left Thalamus
0199 0E FL 1 Left Caudate
0199 0F FL 1 Left Putamen
0199 10 FL 1 Left Pallidum
0199 11 FL 1 Left Ventral Diencephalon
0199 12 FL 1 Left Nucleus Accumbens
0199 13 FL 1 Left Brain Stem
0199 14 FL 1 Left Exterior CSF
0199 15 FL 1 Left WM Hypo
0199 16 FL 1 Left Other
@NQRight
0299 01 FL 1 Right Cortical White Matter
0299 02 FL 1 Right Cortical Gray Matter
0299 03 FL 1 Right 3rd Ventricle
0299 04 FL 1 Right 4th Ventricle
0299 05 FL 1 Right 5th Ventricle
0299 06 FL 1 Right Lateral Ventricle
0299 07 FL 1 Right Inferior Lateral Ventricle
0299 08 FL 1 Right Inferior CSF
0299 09 FL 1 Right Cerebellar White Matter
0299 0A FL 1 Right Cerebellar Gray Matter
0299 0B FL 1 Right Hippocampus
0299 0C FL 1 Right Amygdala
0299 0D FL 1 Right Thalamus
0299 0E FL 1 Right Caudate
0299 0F FL 1 Right Putamen
0299 10 FL 1 Right Pallidum
0299 11 FL 1 Right Ventral Diencephalon
0299 12 FL 1 Right Nucleus Accumbens
0299 13 FL 1 Right Brain Stem
0299 14 FL 1 Right Exterior CSF
0299 15 FL 1 Right WM Hypo
0299 16 FL 1 Right Other
@Philips MR Imaging DD 001
2005 0D FL 1 Scale Intercept
2005 0E FL 1 Scale Slope
@SIEMENS Ultrasound SC2000
0119 00 LO 1 Acoustic Meta Information Version
0119 01 OB 1 Common Acoustic Meta Information
0119 02 SQ 1 Multi Stream Sequence
0119 03 SQ 1 Acoustic Data Sequence
0119 04 OB 1 Per Transaction Acoustic Control Information
0119 05 UL 1 Acoustic Data Offset
0119 06 UL 1 Acoustic Data Length
0119 07 UL 1 Footer Offset
0119 08 UL 1 Footer Length
0119 09 SS 1 Acoustic Stream Number
0119 10 SH 1 Acoustic Stream Type
0119 11 - 1 Stage Timer Time
0119 12 - 1 Stop Watch Time
0119 13 IS 1 Volume Rate
0119 21 SH 1
0129 00 SQ 1 MPR View Sequence
0129 02 UI 1 Bookmark UID
0129 03 - 1 Plane Origin Vector
0129 04 - 1 Row Vector
0129 05 - 1 Column Vector
0129 06 SQ 1 Visualization Sequence
0129 07 UI 1 Bookmark UID
0129 08 OB 1 Visualization Information
0129 09 SQ 1 Application State Sequence
0129 10 OB 1 Application State Information
0129 11 SQ 1 Referenced Bookmark Sequence
0129 12 UI 1 Referenced Bookmark UID
0129 20 SQ 1 Cine Parameters Sequence
0129 21 OB 1 Cine Parameters Schema
0129 22 OB 1 Values of Cine Parameters
0129 29 OB 1
0129 30 CS 1 Raw Data Object Type
0139 01 SL 1 Physio Capture ROI
0149 01 FD 1-n Vector of BROI Points
0149 02 FD 1-n Start/End Timestamps of Strip Stream
0149 03 FD 1-n Timestamps of Visible R-waves
7FD1 01 OB 1 Acoustic Image and Footer Data
7FD1 09 UI 1 Volume Version ID
7FD1 10 OB 1 Volume Payload
7FD1 11 OB 1 After Payload
@SIEMENS SYNGO ULTRA-SOUND TOYON DATA STREAMING
7FD1 01 OB 1 Padding
7FD1 09 UI 1 Version ID
7FD1 10 OB 1 Volume Payload
7FD1 11 OB 1 After Payload
`;
